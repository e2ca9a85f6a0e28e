"""Channels that report totals rather than people: ad spend, own social posts, media plays.

Their volumes follow the simulated population (paid clicks are the simulated
paid visits scaled up, as only some clicks are people we follow), plus one row
per known subscriber who listened on a day.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from orchestration.generator import catalogue
from orchestration.generator.identity import email_as_written, random_hex
from orchestration.generator.simulation import Simulation

CLICK_SCALE = 4.0  # ad clicks per simulated paid visit


def _noon(day) -> datetime:
    return datetime.combine(day, time(12))


def emit_ad_spend(sim: Simulation, rng: random.Random) -> None:
    base = max(1.0, sim.n_persons / 400)
    for offset in range(sim.days):
        day = sim.start.date() + timedelta(days=offset)
        for paid in catalogue.PAID_CAMPAIGNS:
            visits = sim.paid_clicks[(day, paid.campaign)]
            clicks = round(visits * CLICK_SCALE + rng.uniform(0, base * paid.weight))
            impressions = round(clicks / paid.ctr * rng.uniform(0.8, 1.2)) + rng.randint(0, 50)
            spend = round(clicks * paid.cpc * rng.uniform(0.85, 1.15), 2)
            row = {
                "spend_date": day,
                "ad_channel": paid.ad_channel,
                "campaign": paid.campaign,
                "spend": spend,
                "currency": paid.currency,
                "impressions": impressions,
                "clicks": clicks,
            }
            sim.emit("ad_spend", row, _noon(day))


def emit_social_posts(sim: Simulation, rng: random.Random) -> None:
    """Posts every few days per platform; each reports metrics for two weeks."""
    followers = {p: rng.randint(2_000, 40_000) for p in catalogue.SOCIAL_PLATFORMS}
    posts: list[tuple[str, str, int, str | None]] = []  # (post_id, platform, day, campaign)
    for platform in catalogue.SOCIAL_PLATFORMS:
        day = -rng.randint(1, 6)
        while day < sim.days:
            campaign = rng.choice(catalogue.SOCIAL_CAMPAIGNS)
            posts.append((f"{platform[:2]}_{random_hex(rng, 12)}", platform, day, campaign))
            day += rng.randint(2, 5)
    scale = max(1.0, sim.n_persons / 200)
    for offset in range(sim.days):
        day = sim.start.date() + timedelta(days=offset)
        for platform in catalogue.SOCIAL_PLATFORMS:
            followers[platform] += rng.randint(-5, 30)
        for post_id, platform, posted, campaign in posts:
            age = offset - posted
            if not 0 <= age < 14:
                continue
            reach = scale * 400 * (0.6**age) * rng.uniform(0.5, 1.5)
            impressions = round(reach)
            likes = round(impressions * rng.uniform(0.01, 0.06))
            row = {
                "post_id": post_id,
                "metric_date": day,
                "platform": platform,
                "campaign": campaign,
                "impressions": impressions,
                "likes": likes,
                "comments": round(likes * rng.uniform(0.02, 0.15)),
                "shares": round(likes * rng.uniform(0.01, 0.1)),
                "follower_count": followers[platform],
            }
            sim.emit("social_posts", row, _noon(day))


def emit_media_listens(sim: Simulation, rng: random.Random) -> None:
    """Anonymous daily totals per episode and platform, then one row per known listener."""
    scale = max(1.0, sim.n_persons / 300)
    for offset in range(sim.days):
        day = sim.start.date() + timedelta(days=offset)
        for episode_id, media_type, released in sim.episodes:
            age = (day - released).days
            if not 0 <= age < 30:
                continue
            platforms = (
                ("spotify", "apple_podcasts", "website")
                if media_type == "podcast"
                else ("youtube", "website")
            )
            for platform in platforms:
                listens = round(scale * 60 * (0.8**age) * rng.uniform(0.5, 1.5))
                downloads = (
                    round(listens * rng.uniform(0.2, 0.6))
                    if media_type == "podcast" and platform != "spotify"
                    else 0
                )
                if listens == 0 and downloads == 0:
                    continue
                row = {
                    "media_date": day,
                    "media_type": media_type,
                    "episode_id": episode_id,
                    "platform": platform,
                    "listens": listens,
                    "downloads": downloads,
                    "subscriber_email": None,
                }
                sim.emit("media_listens", row, _noon(day))
    for (day, episode_id, platform, _), entry in sim.subscriber_listens.items():
        person, media_type, at, plays = entry
        row = {
            "media_date": day,
            "media_type": media_type,
            "episode_id": episode_id,
            "platform": platform,
            "listens": plays,
            "downloads": 1 if media_type == "podcast" and rng.random() < 0.3 else 0,
            "subscriber_email": email_as_written(rng, person),
        }
        sim.emit("media_listens", row, at, person)
