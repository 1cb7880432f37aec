# Parley: `parley run` serving Telegram and/or Slack, the scheduler and the HTTP server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PARLEY_HTTP_HOST=0.0.0.0 PARLEY_HTTP_PORT=8080 \
    PARLEY_DATABASE_URL=sqlite:////data/parley.db

RUN useradd --create-home --uid 10001 parley && mkdir /data && chown parley /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
RUN pip install --no-cache-dir .

USER parley
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PARLEY_HTTP_PORT', '8080'), timeout=4)"
CMD ["parley", "run"]
