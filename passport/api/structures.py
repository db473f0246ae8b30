"""Structure-side endpoints: /api/v1/structures, /api/v1/referrals, /api/v1/receptions."""
