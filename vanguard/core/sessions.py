"""The database session store, remembering when its row expires (``SESSION_ENGINE``).

Sessions end after ``SESSION_COOKIE_AGE`` (``SESSION_IDLE_MINUTES``) from their last save, and the
database answers an expired one as no session at all. Knowing the expiry read with the session lets
``IdleSessionMiddleware`` renew it about once a minute of activity, with no query of its own;
saving on every request (``SESSION_SAVE_EVERY_REQUEST``) would write to the database on every page.
"""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    expire_date = None  # of the stored row, when one was loaded

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.expire_date = stored.expire_date if stored is not None else None
        return stored
