"""The advisor's side: shared passports, receptions, referrals (fiche navette), attestations."""
