"""党员积分: a member's points ledger, derived from the records through a campaign's points table."""
