"""The holder's passport: profile, receptions, referrals, trainings, CPF statements."""
