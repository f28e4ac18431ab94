"""The alliance workspace: ``jjjkg serve``, a Django application over graph, queries, viz and loaders.

Planners, coordinators and analysts sign in with a browser on the agency's intranet; the server
answers with the same registry of analyses, the same view code and the same meeting pack as the
command line, from one store kept in memory. Nothing below this package knows that a server exists.

One module per concern:

* ``config``     — the state folder, the secret key, the database URL → Django settings
* ``server``     — migrations, the production WSGI server (waitress), signals, the "serving" line
* ``accounts``   — the four roles as groups and permissions; ``jjjkg users …``
* ``audit``      — the append-only audit trail; ``jjjkg audit``
* ``live``       — the store held in memory, switched when a rebuild changes its fingerprint;
                   cached analysis results
* ``middleware`` — sign-in required, session limits, the gateway's trusted header, body size
* ``profile``    — what search finds and what an organization page says
* ``pack``       — the meeting pack made in the background
* ``engine``, ``console``, ``bundle`` — the Cypher console: its servers, its views, its editor's bundle
* ``dashboards`` — dashboards of analysis and saved-query tiles
* ``views_*``    — pages and the JSON API (contract §5); ``views_common`` holds what they share

Importing this package imports nothing of Django: ``config.configure()`` sets Django up first.
"""
