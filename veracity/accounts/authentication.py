"""How API callers prove who they are: a bearer token, or the browser session (with CSRF)."""

from ninja.security import HttpBearer, SessionAuth

from veracity.accounts.services import api_token_authenticate


class ApiTokenAuth(HttpBearer):
    openapi_description = "A personal API token: `Authorization: Bearer <token>`."

    def authenticate(self, request, token: str):
        user = api_token_authenticate(raw_token=token)
        if user is None:
            return None
        request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The logged-in browser session (htmx calls from our own pages); CSRF-checked by Ninja."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and user.is_active:
            return user
        return None


api_auth = [ApiTokenAuth(), ActiveSessionAuth()]
