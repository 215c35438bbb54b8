"""Celery tasks of the catalog: thin wrappers that load ids and call services."""

from celery import shared_task

from catalog import services


@shared_task(name="catalog.make_thumbnails", acks_late=True, reject_on_worker_lost=True)
def make_thumbnails(image_id: int) -> bool:
    """Render the two thumbnails of a product image; False when the image was deleted meanwhile."""
    return services.product_image_make_thumbnails(image_id=image_id) is not None
