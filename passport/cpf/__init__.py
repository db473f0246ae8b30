"""The CPF simulator: dated rules (``rules``) and the computation (``simulator``)."""
