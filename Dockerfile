# A slim image of the emulator. Configure it with FASTSPRING_EMULATOR_* variables; mount
# fixture documents at /fixtures (the image also carries fixtures/ at /app/fixtures).
# /data is writable by the emulator's user: FASTSPRING_EMULATOR_STATE_FILE=/data/state.json
# keeps every store across restarts (mount a volume there).
FROM python:3.11.10-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . && useradd --create-home --uid 10001 emulator \
    && mkdir /data && chown emulator /data

USER emulator
ENV FASTSPRING_EMULATOR_HOST=0.0.0.0 \
    FASTSPRING_EMULATOR_PORT=8282
VOLUME ["/fixtures", "/data"]
EXPOSE 8282
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8282/_emulator/health', timeout=2).status == 200 else 1)"]
CMD ["fastspring-emulator", "serve"]
