from django import forms


class ConfirmForm(forms.Form):
    """A confirmation: the POST of the step's page is the decision (recompute, publish)."""
