# Everyday commands. `make run` and `make test` need nothing but Python 3.11 on the machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
RETAIL_DEMO_CATALOG ?= ../shared/data/catalog/retail-demo-store/products.yaml
DEMO_PRODUCTS ?= 500

.PHONY: run test lint serve worker beat bench migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.deps: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: $(VENV)/.deps requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.deps
	$(MANAGE) migrate --noinput

# Demo data: the staff user, then the Retail Demo Store catalog when it is beside the project,
# else a generated one. Every step is idempotent.
demo: migrate
	$(MANAGE) demo_staff
	@if [ -f "$(RETAIL_DEMO_CATALOG)" ] && $(MANAGE) help import_catalog >/dev/null 2>&1; then \
		$(MANAGE) import_catalog "$(RETAIL_DEMO_CATALOG)"; \
	elif $(MANAGE) help seed_demo >/dev/null 2>&1; then \
		$(MANAGE) seed_demo --products $(DEMO_PRODUCTS); \
	fi

run: demo
	$(MANAGE) runserver 127.0.0.1:8000

test: $(VENV)/.dev-deps lint
	$(BIN)/pytest

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Production-like: gunicorn, DEBUG off, static files from whitenoise. Plain HTTP on this machine,
# so the HTTPS-only cookies and redirect are relaxed here (never in a real deployment).
SERVE_ENV = DEBUG=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat $(VENV)/.local-secret-key)} \
	SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0

# A secret key for production-like runs on this machine only; kept out of git in the virtualenv.
$(VENV)/.local-secret-key: $(BIN)/python
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

serve: migrate $(VENV)/.local-secret-key
	$(SERVE_ENV) $(MANAGE) collectstatic --noinput -v0
	$(SERVE_ENV) $(BIN)/gunicorn ecommerce.wsgi --bind 127.0.0.1:8000 --workers $${WEB_WORKERS:-4} --access-logfile -

worker: $(VENV)/.deps
	$(BIN)/celery -A ecommerce worker --loglevel INFO

beat: $(VENV)/.deps
	$(BIN)/celery -A ecommerce beat --loglevel INFO --schedule $(VENV)/celerybeat-schedule

bench: $(VENV)/.dev-deps
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
