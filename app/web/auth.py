"""Log in and log out (docs/design.md §4.1)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery

from app import i18n
from app.templating import phone_for_reading
from app.services.sign_in import sign_in, sign_out
from app.rules.errors import N_, FieldError
from app.rules.language_switch import return_path
from app.web.language import after_sign_in
from app.web.forms import read_form
from app.web.guards import STAFF_ROLES, current_account, current_session
from app.web.rendering import client_ip, district_preferences, redirect_after_post, render, user_agent
from app.web.session_cookie import clear_session_cookies, set_session_cookie, trusted_cookie_name
from app.web.wizard_state import remember_in_new_session

NOTICES = {
    "signed-out": N_("You have logged out."),
    # "You have logged out." alone did not say the other devices were logged out too (a tester's find).
    "signed-out-everywhere": N_("You have logged out on every device, this one included."),
    "password-changed": N_("Your password has been changed. Log in with your new password."),
    "session-ended": N_("Your session ended. Log in again to continue."),
    "form-not-sent": N_("Your session ended, so what you just sent was not saved. Log in again, then fill in the form "
                        "again."),
    # The password step waits 10 minutes for its code (wrong codes do not end it, but the wait can):
    # "session ended" after a rejected code read as if the code had signed the person out (issue 13).
    "code-step-expired": N_("The time to enter the code ran out. Log in with your password again, then enter "
                            "a new code."),
}

WRONG = N_("The username or password is not right. Check them and try again.")
# The same reply for every failure when an email address was typed (whether it is on file, for one account or
# for several, is never told), with what a family sharing one address needs: a parent signing in with the
# family's address and the right password was told only that the password was wrong (a tester's find).
WRONG_WITH_EMAIL = N_("The username or password is not right. Check them and try again. An email address signs "
                      "in only when one account uses it: if your family shares one, type your username (Forgot "
                      "Your Username? emails it).")


def _destination(next_path: str) -> str:
    """Where to go after signing in, when the login page was reached from another page of the portal (a
    session that ended): a path on this site only, never the login page itself; "" for the usual home."""
    path = return_path(next_path)
    return "" if path == "/" or path.startswith("/?") or path.startswith("/logout") else path


def home_for(role: str | None) -> str:
    """Guardians land on their students; school staff and district admins in the console."""
    return "/staff" if role in STAFF_ROLES else "/home"


class AuthController(Controller):
    @get("/", opt={"public": True})
    async def login_page(self, request: Request, notice: FromQuery[str] = "", next: FromQuery[str] = "") -> Response:
        if current_account(request):
            return redirect_after_post(request, home_for(current_account(request).role))
        return await render(request, "auth/login.html", {"notice": NOTICES.get(notice), "username": "",
                                                          "next": _destination(next)})

    @get("/login", opt={"public": True})
    async def login_alias(self, request: Request) -> Response:
        """People type /login (issue 13 item 8): the login page is the start page."""
        return redirect_after_post(request, "/" + (f"?{request.url.query}" if request.url.query else ""))

    @post("/", opt={"public": True})
    async def log_in(self, request: Request) -> Response:
        form = await read_form(request, "username", "password", "next")
        next_path = _destination(form["next"])
        errors = list(form.errors)
        # Every empty field at once (issue 13 item 8), not one per try.
        if not form["username"].strip() and not any(e.field == "username" for e in errors):
            errors.append(FieldError("username", N_("Enter your username")))
        if not form["password"] and not any(e.field == "password" for e in errors):
            errors.append(FieldError("password", N_("Enter your password")))
        if errors:
            return await render(request, "auth/login.html", {"username": form["username"], "next": next_path},
                                errors=errors)
        session = current_session(request)
        result = await sign_in(form["username"], form["password"], ip=client_ip(request),
                               user_agent=user_agent(request), previous_session=session.id if session else None,
                               trusted_browser=request.cookies.get(trusted_cookie_name()))
        if result.second_step:  # issue 14: the password was right; the second factor is the next page
            from app.web.second_step import pending_second_step

            # A right password raises what the session can do: a new session holds the pending step, so a
            # session planted in this browser never learns it (docs/security.md G1).
            return await remember_in_new_session(
                request, redirect_after_post(request, f"/sign-in/{result.second_step}"),
                **pending_second_step(result, form["username"], next_path))
        if result.session_token:
            response = redirect_after_post(
                request, after_sign_in(request, result.language, next_path or home_for(result.role)), whole_page=True)
            clear_session_cookies(response)
            return set_session_cookie(response, result.session_token)
        prefs = await district_preferences(request)
        if result.problem == "locked":
            message = FieldError("username", N_(
                "This account is locked until %(until)s because its username was requested too many times "
                "today. To unlock it sooner, call %(phone)s."),
                {"until": i18n.format_moment(result.until, prefs.time_zone), "phone": phone_for_reading(prefs.help_phone)})
        elif result.problem == "client-throttled":
            message = FieldError("username", N_(
                "Too many failed attempts from this network. Try again after %(until)s, or use Forgot Your "
                "Password?"), {"until": i18n.format_moment(result.until, prefs.time_zone)})
        elif result.problem == "portal-throttled":
            message = FieldError("username", N_(
                "The portal is refusing log-ins for a few minutes because of too many failed attempts. Try "
                "again after %(until)s."), {"until": i18n.format_moment(result.until, prefs.time_zone)})
        elif result.problem == "throttled":
            message = FieldError("username", N_(
                "Too many failed attempts for this username. Try again after %(until)s, or use Forgot Your "
                "Password?"), {"until": i18n.format_moment(result.until, prefs.time_zone)})
        else:
            message = FieldError("username", WRONG_WITH_EMAIL if "@" in form["username"] else WRONG)
        return await render(request, "auth/login.html", {"username": form["username"], "next": next_path},
                            errors=[message])

    @post("/logout", opt={"public": True})
    async def log_out(self, request: Request) -> Response:
        session = current_session(request)
        if session:
            await sign_out(session, ip=client_ip(request))
        response = redirect_after_post(request, "/?notice=signed-out", whole_page=True)
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return clear_session_cookies(response)
