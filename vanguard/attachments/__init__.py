"""Files attached to records (meeting photos and minutes, inspection evidence, care records).

One upload path for every app: an app declares a concrete model from ``Attachment`` with a
foreign key to its owner, and gets checked storage (``services``), the pages that list, serve,
preview, withdraw and replace the files (``views.attachment_urls``) and a template include.
"""
