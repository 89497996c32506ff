"""Reader pages and actions, by job: accounts, comments, follows and mutes, read
state, subscriptions; ``common`` holds what they share.

Every action is a POST form that works without JavaScript (it redirects back to
where the reader was) and, when htmx sent it, answers with just the piece of page
that changed, so the reader keeps their place.
"""
