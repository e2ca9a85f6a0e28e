"""Loose ends: a later contact that identifies a browser, an install, an account or a phone.

After the journeys, a known person can still own a browser or an app install
that never met any of their other identifiers in one record: they browsed
before the brand knew them and came back only through other channels. Real
stacks catch most of these on a later visit (a login, a form, an email's
decorated link); so does the simulation, once per loose browser or install,
except for ``UNIDENTIFIED_SHARE`` of them, which stay anonymous for good. The
visit is an ordinary session emitted like any other, so the truth books it.

A loose phone (with the lead or the second email written next to it) is
joined by a sales call back, on which the agent finds the customer's record.
Anything else no record joins is left loose on purpose: those are the links
only probabilistic matching could find.
A person first seen in the last days of the window may not come back in time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from orchestration.generator.identity import IDENTIFIER_COLUMNS, KNOWN_TYPES, Person, normalise
from orchestration.generator.simulation import REFEREE_COLUMNS, Simulation

Identifier = tuple[str, str]
ENGAGEMENT = "engagement"  # the stage signal of a return visit or a later app session


def _nodes_of(record) -> set[Identifier]:
    nodes = set()
    for column, kind in IDENTIFIER_COLUMNS.get(record.channel, {}).items():
        value = record.row.get(column)
        if value and column not in REFEREE_COLUMNS:
            nodes.add((kind, normalise(kind, value)))
    return nodes


def _components(node_sets, shared: set[Identifier]) -> dict[Identifier, Identifier]:
    """Union-find over the identifiers of one person's records (one set of nodes per
    record): identifier -> root."""
    parent: dict[Identifier, Identifier] = {}

    def find(node: Identifier) -> Identifier:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for record_nodes in node_sets:
        nodes = sorted(record_nodes - shared)
        for node in nodes:
            parent.setdefault(node, node)
        for node in nodes[1:]:
            a, b = find(nodes[0]), find(node)
            if a != b:
                parent[b] = a
    return {node: find(node) for node in parent}


def _identify(sim: Simulation, rng: random.Random, person: Person, loose: set[Identifier], last):
    """One identifying visit on a loose browser or app install, after ``last``."""
    at = last + timedelta(hours=rng.uniform(1, 72))
    if not sim.in_window(at):
        at = last + (sim.end - last) * rng.random()
    # A return on a later day than the first touch, which both the warehouse and
    # the truth count as engagement.
    next_day = datetime.combine(person.first_seen_at.date() + timedelta(days=1), time(9))
    at = max(at, next_day)
    if not sim.in_window(at) or at <= last:
        return
    for cookie in person.cookies:
        if ("cookie_id", cookie.cookie_id) in loose:
            paths = ["/", "/newsletter/subscribe"]
            sim.web_session(rng, person, at, "direct", paths, cookie=cookie, signal=ENGAGEMENT)
            return
    if ("user_id", person.user_id) in loose:
        # An account used only in the app: its holder signs in on the site one day.
        paths = ["/account/login", "/account"]
        cookie = person.cookies[0]
        sim.web_session(
            rng, person, at, "direct", paths, cookie=cookie, login=True, signal=ENGAGEMENT
        )
        return
    for device in person.devices:
        if ("device_id", device.device_id) not in loose:
            continue
        if person.user_id is not None:
            events = ["app_open", "login", "screen_view"]
            sim.app_session(rng, person, device, at, events, signal=ENGAGEMENT)
            return
        # An app user without an account signs up in the app, then signs in on the site.
        at = sim.app_session(rng, person, device, at, ["app_open", "sign_up", "screen_view"])
        at += timedelta(hours=rng.uniform(1, 48))
        if sim.in_window(at):
            paths = ["/account/login", "/account"]
            cookie = person.cookies[0]
            sim.web_session(rng, person, at, "direct", paths, cookie=cookie, login=True)
        return
    if ("phone", person.phone) in loose and ("email", person.email) in person.identifiers:
        # The sales team calls back and finds the customer's record by email.
        sim.call(rng, person, at, "outbound", "sales_enquiry")


def identify_loose_ends(sim: Simulation, rng: random.Random) -> None:
    shared = set(sim.shared_identifiers)
    by_person = defaultdict(list)
    for record in sim.records:
        if record.person_id is not None:
            by_person[record.person_id].append(record)
    for person in sim.persons:
        records = by_person.get(person.person_id)
        if not records or not any(kind in KNOWN_TYPES for kind, _ in person.identifiers):
            continue
        observed = [(record.at, _nodes_of(record)) for record in records]
        roots = _components((nodes for _, nodes in observed), shared)
        # The visit writes the person's main email, so it joins its component
        # (or, for a referee whose email only an invitation carried, founds it).
        main = roots.get(("email", person.email))
        groups: dict[Identifier, set[Identifier]] = defaultdict(set)
        for node, root in roots.items():
            if root != main:
                groups[root].add(node)
        for root in sorted(groups):
            if not sim.identified(rng):
                continue
            loose = groups[root]
            last = max(at for at, nodes in observed if nodes & loose)
            _identify(sim, rng, person, loose, last)
