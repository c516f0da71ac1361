"""民主评议党员: appraisal rounds, their electorate, self-assessments, ballots and grades."""
