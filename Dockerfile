FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md wsgi.py ./
COPY discuss ./discuss
COPY plugins ./plugins
COPY deploy ./deploy
RUN pip install --no-cache-dir .
RUN useradd --system --home /app discuss && chown -R discuss /app
USER discuss
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
