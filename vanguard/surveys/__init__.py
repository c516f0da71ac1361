"""群众满意度测评: the masses rate an org, with one-time slips issued by the level above (see models.py)."""
