"""A box deleted while open (its round deleted) takes its sealed ballots beyond SQL's reach too."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from . import storage
from .models import BallotBox


@receiver(pre_delete, sender=BallotBox, dispatch_uid="ballots_erase_deleted_box")
def erase_sealed_ballots(sender, instance, **kwargs):
    storage.erase_sealed(instance.pk)
