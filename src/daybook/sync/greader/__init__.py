"""The Google Reader API as FreshRSS and Miniflux serve it, and the Atom streams older
clients read; ``../shared/notes/READER-APIS.md`` has the protocol facts. ``auth``
signs in, ``ids`` spells item ids, ``streams`` chooses and pages articles,
``items`` shows them, ``views`` answers, ``urls`` routes."""
