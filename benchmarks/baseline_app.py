"""The yardstick: a bare Starlette endpoint that returns a small JSON object."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request):
    return JSONResponse({"result": "success", "hello": "world"})


app = Starlette(routes=[Route("/hello", hello)])
