"""Product photos: upload validation in the admin, thumbnails made by the Celery task, S3 storage."""

import os
import uuid
from io import BytesIO

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import media, services
from catalog.models import ProductImage
from tests.factories.catalog import ProductFactory, ProductImageFactory, VariantFactory, product_admin_post_data
from tests.factories.users import StaffFactory

pytestmark = pytest.mark.django_db


def picture(name="photo.jpg", size=(1600, 1200), fmt="JPEG", mode="RGB", color="teal", padding=0):
    buffer = BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * padding, content_type="image/jpeg")


def stored_width(name: str) -> int:
    with default_storage.open(name) as handle, Image.open(handle) as image:
        return image.width


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


def upload_in_admin(staff_client, product, upload):
    return staff_client.post(
        f"/admin/catalog/product/{product.pk}/change/", product_admin_post_data(product, images=(upload,))
    )


def test_admin_upload_stores_image_and_makes_both_thumbnails(staff_client, django_capture_on_commit_callbacks):
    """An image uploaded in the admin is stored under the product's slug; the task adds 320 and 800 px thumbnails."""
    product = ProductFactory(slug="teapot")

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_in_admin(staff_client, product, picture("Tea Pot.JPG"))

    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert image.image.name == "products/teapot/tea-pot.jpg"
    assert image.thumbnail_small.name == "products/teapot/thumbs/tea-pot-320w.jpg"
    assert image.thumbnail_large.name == "products/teapot/thumbs/tea-pot-800w.jpg"
    assert (stored_width(image.thumbnail_small.name), stored_width(image.thumbnail_large.name)) == (320, 800)
    assert image.alt_text == product.name


def test_admin_refuses_a_file_that_is_not_an_image(staff_client):
    """A text file posing as a JPEG is refused with a form error and nothing is stored."""
    product = ProductFactory()
    fake = SimpleUploadedFile("evil.jpg", b"#!/bin/sh\necho hi\n", content_type="image/jpeg")

    response = upload_in_admin(staff_client, product, fake)

    assert response.status_code == 200
    assert "Upload a valid image." in response.content.decode()
    assert ProductImage.objects.count() == 0


def test_admin_refuses_an_image_over_10_mb(staff_client):
    """A readable JPEG of more than 10 MB is refused with a form error naming the limit."""
    product = ProductFactory()
    big = picture("big.jpg", size=(64, 64), padding=media.MAX_UPLOAD_BYTES)

    response = upload_in_admin(staff_client, product, big)

    assert response.status_code == 200
    assert "images may be at most 10 MB" in response.content.decode()
    assert ProductImage.objects.count() == 0


def test_service_refuses_an_unaccepted_image_format():
    """A BMP is a readable image but not one the shop serves: refused with the formats it takes."""
    with pytest.raises(services.CatalogError, match="is a BMP image; use JPEG, PNG, GIF or WebP"):
        services.product_image_add(product=ProductFactory(), upload=picture("a.bmp", fmt="BMP"))


def test_thumbnails_never_enlarge_and_flatten_transparency():
    """A 200 px wide transparent PNG gives 200 px JPEG thumbnails, not blown-up ones."""
    upload = picture("logo.png", size=(200, 100), fmt="PNG", mode="RGBA", color=(0, 0, 0, 0))
    image = services.product_image_add(product=ProductFactory(), upload=upload)

    services.product_image_make_thumbnails(image_id=image.pk)

    image.refresh_from_db()
    assert (stored_width(image.thumbnail_small.name), stored_width(image.thumbnail_large.name)) == (200, 200)
    with default_storage.open(image.thumbnail_small.name) as handle, Image.open(handle) as thumb:
        assert (thumb.format, thumb.mode, thumb.getpixel((0, 0))) == ("JPEG", "RGB", (255, 255, 255))


def test_making_thumbnails_twice_replaces_them():
    """Running the task again leaves exactly one pair of thumbnail files."""
    image = ProductImageFactory(product=ProductFactory(slug="lamp"))

    services.product_image_make_thumbnails(image_id=image.pk)
    services.product_image_make_thumbnails(image_id=image.pk)

    _, files = default_storage.listdir("products/lamp/thumbs")
    assert sorted(files) == ["photo-320w.jpg", "photo-800w.jpg"]


def test_thumbnail_task_for_a_deleted_image_does_nothing():
    """The task tolerates an image deleted before it ran."""
    assert services.product_image_make_thumbnails(image_id=987654) is None


@pytest.fixture
def s3_bucket(settings):
    """A fresh bucket on the S3 endpoint (moto_server in CI) and the default storage pointed at it."""
    endpoint = os.environ["AWS_S3_ENDPOINT_URL"]
    bucket = f"catalog-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
                "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client, bucket, endpoint
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


@pytest.mark.s3
def test_admin_upload_lands_in_s3_with_thumbnails_served_by_api_and_page(
    staff_client, s3_bucket, django_capture_on_commit_callbacks
):
    """With S3 storage, an admin upload puts the original and both thumbnails in the bucket, and the
    API and the product page serve the bucket URLs."""
    client, bucket, endpoint = s3_bucket
    product = ProductFactory(slug="s3-kettle")
    VariantFactory(product=product)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_in_admin(staff_client, product, picture("kettle.jpg"))

    assert response.status_code == 302
    keys = sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == [
        "products/s3-kettle/kettle.jpg",
        "products/s3-kettle/thumbs/kettle-320w.jpg",
        "products/s3-kettle/thumbs/kettle-800w.jpg",
    ]
    small_url = f"{endpoint}/{bucket}/products/s3-kettle/thumbs/kettle-320w.jpg"
    api = staff_client.get("/api/v1/products/s3-kettle/").json()
    assert api["images"][0]["small_url"] == small_url
    assert api["images"][0]["large_url"] == f"{endpoint}/{bucket}/products/s3-kettle/thumbs/kettle-800w.jpg"
    page = staff_client.get("/products/s3-kettle/")
    assert page.status_code == 200
    assert f"{small_url} 320w" in page.content.decode()
