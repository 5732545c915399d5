"""Who may write the database, its log and its folder; read-only logs; links planted for quiz."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.cli import main
from quiz.store import StoreError, open_store

ROOT = Path(__file__).parent.parent
OTHER_UID = 65534  # nobody: the other user on the machine
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="not root: files cannot be given away")


def opened(db: Path) -> tuple[int, str]:
    """`quiz decks` on the database: its exit status and its output."""
    result = CliRunner().invoke(main, ["decks", "--db", str(db)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


LEFT_OPEN = """
import os, sys
from quiz.scheduler import utc_now
from quiz.store import open_store
store = open_store(sys.argv[1])
store.ensure_learner("ada", utc_now())
store.conn.execute("PRAGMA wal_autocheckpoint = 0")
store.ensure_learner("ben", utc_now())
os._exit(0)  # as if killed: the log and its index stay
"""


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    # Outside pytest's private tmp folder, so that a restricted process can reach it.
    path = Path(tempfile.mkdtemp(prefix="quiz-perm-"))
    try:
        yield path
    finally:
        shutil.rmtree(path)


def restricted(args: list[str]) -> list[str]:
    """The command with file permissions enforced even for root."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *args]


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_a_read_only_log_or_index_is_a_clear_error(shared_dir: Path, suffix: str) -> None:
    db = shared_dir / "quiz.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", LEFT_OPEN, str(db)], env=env, check=True, timeout=60)
    log = Path(f"{db}{suffix}")
    log.chmod(0o400)
    files = {p: p.read_bytes() for p in shared_dir.iterdir()}
    result = subprocess.run(
        restricted([sys.executable, "-m", "quiz", "decks", "--db", str(db)]),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=shared_dir,
    )
    # Before: a traceback ("attempt to write a readonly database") from the first write.
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"Error: {db}: cannot open the database: its {suffix} file is read-only. Make it "
        f"writable (chmod u+rw {log}), or use --db PATH for another database."
    ]
    assert {p: p.read_bytes() for p in shared_dir.iterdir()} == files


def test_a_folder_others_can_write_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "quiz.db"
    open_store(db).close()
    folder.chmod(0o777)
    code, output = opened(db)
    # Before: opened, so anyone could swap the database or plant its log beside it.
    assert code == 1
    assert output.splitlines() == [
        f"Error: {db}: cannot open the database: its folder {folder} can be written by others, "
        f"who could replace the database or plant its log files. Make the folder yours alone "
        f"(chmod go-w {folder}), or use --db PATH in a folder only you can write."
    ]
    folder.chmod(0o775)
    # Writable by our own private group (its only member): that is us alone.
    assert opened(db)[0] == 0
    if os.geteuid() == 0:
        os.chown(folder, 0, OTHER_UID)  # a group others are in
        assert opened(db)[0] == 1


def test_a_sticky_shared_folder_with_our_own_files_is_fine(tmp_path: Path) -> None:
    folder = tmp_path / "tmp"
    folder.mkdir()
    folder.chmod(0o1777)  # like /tmp
    db = folder / "quiz.db"
    code, output = opened(db)
    assert code == 0, output
    assert opened(db)[0] == 0


@as_root
@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_a_log_planted_by_another_user_is_refused(tmp_path: Path, suffix: str) -> None:
    folder = tmp_path / "tmp"
    folder.mkdir()
    folder.chmod(0o1777)
    db = folder / "quiz.db"
    open_store(db).close()
    planted = Path(f"{db}{suffix}")
    planted.write_bytes(b"")
    planted.chmod(0o666)
    os.chown(planted, OTHER_UID, OTHER_UID)
    code, output = opened(db)
    # Before: reused, so that user could read and change the progress.
    assert code == 1
    assert output.splitlines() == [
        f"Error: {db}: cannot open the database: {planted} belongs to another user (uid "
        f"{OTHER_UID}), who could read or change the progress in it. Move it away if it is "
        "not yours, or use --db PATH for another database."
    ]
    assert planted.read_bytes() == b""


@as_root
def test_a_database_of_another_user_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "quiz.db"
    open_store(db).close()
    os.chown(db, OTHER_UID, OTHER_UID)
    code, output = opened(db)
    assert code == 1
    assert f"{db} belongs to another user (uid {OTHER_UID})" in output


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_file_others_can_write_is_refused(tmp_path: Path, suffix: str) -> None:
    db = tmp_path / "quiz.db"
    open_store(db).close()
    path = Path(f"{db}{suffix}")
    path.touch()
    path.chmod(0o602)
    code, output = opened(db)
    assert code == 1
    assert output.splitlines() == [
        f"Error: {db}: cannot open the database: {path} can be written by others, who could "
        f"change the progress in it. Make it yours alone (chmod go-w {path}), or use --db "
        "PATH for another database."
    ]


@as_root
@pytest.mark.parametrize("sticky", [True, False], ids=["sticky folder", "private folder"])
def test_a_dangling_link_planted_by_another_user_is_refused(tmp_path: Path, sticky: bool) -> None:
    folder = tmp_path / "tmp"
    folder.mkdir()
    if sticky:
        folder.chmod(0o1777)
    elsewhere = tmp_path / "attacker" / "theirs.db"
    elsewhere.parent.mkdir()
    db = folder / "quiz.db"
    db.symlink_to(elsewhere)
    os.chown(db, OTHER_UID, OTHER_UID, follow_symlinks=False)
    code, output = opened(db)
    # Before: the database was created where the link pointed.
    assert code == 1
    assert not elsewhere.exists()
    assert db.is_symlink()
    if sticky:
        assert f"{db} belongs to another user (uid {OTHER_UID})" in output
    else:
        assert f"it is a symbolic link to {elsewhere}, which does not exist" in output


def test_a_new_database_is_created_without_following_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A link planted between the checks and the creation: O_EXCL and O_NOFOLLOW refuse it.
    from quiz.store import files

    db = tmp_path / "quiz.db"
    elsewhere = tmp_path / "elsewhere.db"
    real_create = files.create_private

    def plant_then_create(path: Path, *, follow: bool = True) -> None:
        if path == db and not db.is_symlink():
            db.symlink_to(elsewhere)
            if os.geteuid() == 0:
                os.chown(db, OTHER_UID, OTHER_UID, follow_symlinks=False)
        real_create(path, follow=follow if os.geteuid() == 0 else False)

    monkeypatch.setattr("quiz.store.database.create_private", plant_then_create)
    with pytest.raises(StoreError, match="symbolic link"):
        open_store(db)
    assert not elsewhere.exists()
