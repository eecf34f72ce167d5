"""The policy: the one place that answers "may this actor do this action to this object".

A plain package (no models, no Django app): every app imports it, so it imports none of
them (see ``policy``).
"""
