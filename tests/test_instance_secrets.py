"""Secrets made once per shop in the instance folder: private, kept, and one value even when
several workers start at the same moment."""

from __future__ import annotations

import stat
import threading

from jomso.instance_secrets import instance_secret


def test_a_secret_is_made_once_private_and_kept(tmp_path):
    first = instance_secret(tmp_path, "demo-key")
    assert len(first) == 64
    assert stat.S_IMODE((tmp_path / "demo-key").stat().st_mode) == 0o600
    assert instance_secret(tmp_path, "demo-key") == first
    assert instance_secret(tmp_path / "another-shop", "demo-key") != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["another-shop", "demo-key"]


def test_workers_starting_together_agree_on_one_secret(tmp_path):
    barrier = threading.Barrier(8)
    seen = []

    def start():
        barrier.wait()
        seen.append(instance_secret(tmp_path, "demo-key"))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and len(set(seen)) == 1
    assert (tmp_path / "demo-key").read_text() == seen[0]
