"""Every route of the product, web and API, found by walking the URL resolver and the OpenAPI document."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from veracity.config.api import api


@dataclass(frozen=True)
class Route:
    key: str            # "catalog:product_detail" or "PATCH /api/v1/products/{product_id}"
    kind: str           # "web" | "api"
    path: str           # a template with {param} placeholders
    params: tuple[str, ...]
    method: str = "GET"


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def web_routes() -> list[Route]:
    routes = []
    for namespace, name, raw in _walk(get_resolver().url_patterns):
        if namespace == "api" or raw.startswith("api/"):
            continue  # the API is enumerated from its OpenAPI document, operation by operation
        path = "/" + _PARAM.sub(lambda m: "{" + m.group(1) + "}", raw)
        key = f"{namespace}:{name}" if namespace else name
        routes.append(Route(key=key, kind="web", path=path, params=tuple(_PARAM.findall(raw))))
    return routes


def api_routes() -> list[Route]:
    routes = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            params = tuple(re.findall(r"{(\w+)}", path))
            routes.append(Route(key=f"{method.upper()} {path}", kind="api", path=path, params=params,
                                method=method.upper()))
    return routes


def all_routes() -> list[Route]:
    return web_routes() + api_routes()
