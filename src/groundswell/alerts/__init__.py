"""Alerts: conditions a team must hear about while they last (a spike still rising, a customer waiting too long).

Each rule reads a workspace's ``Sources`` as of a moment and names what it finds as ``AlertCandidate`` values
(``alerts.model``); the watch loop keeps them, groups them while they last and delivers them once.
"""
