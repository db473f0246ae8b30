"""Appending records to a passport: the one path every write takes.

Whoever writes (the holder's pages, the advisor's workspace, the API through a share or a
structure key) decides *who may* elsewhere (``passport.sharing.policy``, the share checks of
``passport.sharing.services``) and then calls this package, which does the rest:

- ``records.services``: one function per kind of record (``record_reception``,
  ``send_referral``, ``change_referral_status``, ``attest_training``, ``declare_training``,
  ``edit_training``, ``declare_cpf``, ``edit_cpf``). Each builds the record and hands it to
- ``records.chain.append``: stamps the time and issuer, locks the passport's chain, sets
  ``seq``/``prev_hash``/``hash`` over the canonical JSON (``trust.canonical``) and signs it
  with the issuing structure's key (``trust.signing``). Free texts are encrypted at rest by
  their column type (``trust.encryption.EncryptedText``).
- ``records.access.log_access``: the holder's access-log row (the worker then groups it
  into a visit and tells the holder: ``passport.notifications.visits``).

Every function flushes and never commits: the request commits once. Nothing here reads
``request`` or calls upward (feature packages, views, the API).
"""
