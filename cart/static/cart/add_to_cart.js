// Keeps the add-to-cart form's SKU in step with the option ticked in the product page's picker, so
// "Add to cart" adds the ticked option without pressing "Show this option" first. Without JavaScript
// the form adds the option the page shows, and the message names it.
(function () {
  function follow(sku) {
    document.querySelectorAll('form.add-to-cart input[type="hidden"][name="sku"]').forEach(function (field) {
      field.value = sku;
    });
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.type === "radio" && input.name === "sku" && input.checked) {
      follow(input.value);
    }
  });
  var ticked = document.querySelector('input[type="radio"][name="sku"]:checked');
  if (ticked) {
    follow(ticked.value);
  }
})();
