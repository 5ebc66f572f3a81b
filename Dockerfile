# Multi-stage: build the environment with uv, run as a non-root user; migrate, then serve.
# The same image runs the worker: `docker run … assure assure worker` (see the README).
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY api ./api
COPY web ./web
COPY migrations ./migrations
COPY alembic.ini ./
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 assure
WORKDIR /app
COPY --from=build --chown=assure:assure /app /app
USER assure
ENV PATH=/app/.venv/bin:$PATH \
    ASSURE_ENVIRONMENT=production \
    ASSURE_DATABASE_URL=sqlite:////app/var/assure.db \
    HOST=0.0.0.0 PORT=8000
RUN mkdir -p /app/var
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
CMD ["sh", "-c", "assure migrate && assure serve --host \"$HOST\" --port \"$PORT\" --workers ${WORKERS:-2}"]
