"""Administration: structures and staff accounts (``/admin``, ``/structure/equipe``), the
audit log of administrative actions, and the advisors endpoints of the API."""
