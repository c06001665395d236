# Copyright 2026 The TensorFlow Lookahead Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# ==============================================================================
"""The Keras patch adding `keras.optimizers.Lookahead`: edit, export, check.

The patch file (`PATCH`) is the single source of the Keras implementation:
it is a `git format-patch` of one commit on keras-team/keras master. To
change it, check the commit out into a Keras clone, edit and amend there,
and export it back:

    python upstream/make_patch.py checkout --keras <keras clone or URL> \
        --dir /tmp/keras-lookahead
    # edit /tmp/keras-lookahead, then: git -C /tmp/keras-lookahead commit \
    #     --amend --no-edit (keep the author and date)
    python upstream/make_patch.py export --dir /tmp/keras-lookahead
    python upstream/make_patch.py check --dir /tmp/keras-lookahead

`offline-check` (and `tests/backend_neutral/upstream_patch_test.py`)
regenerates the patch without a Keras clone, on the files it edits taken
from the installed Keras, and fails if the checked-in patch is not exactly
what `git format-patch` writes for it (a hand-edited or stale patch). Where
the installed Keras has another version of an edited file than the patch's
base, that file's blob ids and hunk line numbers are left out of the
comparison; its hunks must still match.
"""

import argparse
import importlib.util
import os
import pathlib
import re
import subprocess
import sys
import tempfile

UPSTREAM = pathlib.Path(__file__).resolve().parent
PATCH = (
    UPSTREAM / "keras" / "0001-Add-keras.optimizers.Lookahead-optimizer-wrapper.patch"
)
IDENTITY = {
    "GIT_AUTHOR_NAME": "TensorFlow Lookahead Authors",
    "GIT_AUTHOR_EMAIL": "noreply@tensorflow-lookahead.invalid",
    "GIT_COMMITTER_NAME": "TensorFlow Lookahead Authors",
    "GIT_COMMITTER_EMAIL": "noreply@tensorflow-lookahead.invalid",
    "GIT_COMMITTER_DATE": "2026-08-22T12:00:00+00:00",
}
FORMAT_PATCH = [
    "format-patch",
    "-1",
    "HEAD",
    "--stdout",
    "--full-index",
    "--no-signature",
    "--zero-commit",
    "--base=HEAD~1",
]
# A file the patch edits (not creates): its path and base blob.
EDITED_FILE = re.compile(
    r"^diff --git a/(\S+) b/\S+\nindex (?!0{40})([0-9a-f]{40})\.\.",
    re.MULTILINE,
)
BASE_COMMIT = re.compile(r"^base-commit: ([0-9a-f]{40})$", re.MULTILINE)


def git(*args, cwd=None, input_text=None):
    """Runs git with a fixed identity; returns its standard output."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=input_text,
        capture_output=True,
        text=True,
        env={**os.environ, **IDENTITY},
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def patch_text():
    return PATCH.read_text(encoding="utf-8")


def base_commit(text=None):
    """The keras-team/keras commit the patch applies to."""
    return BASE_COMMIT.search(text or patch_text()).group(1)


def new_file(path, text=None):
    """The content of a file that the patch creates, e.g. lookahead.py."""
    text = text or patch_text()
    header = f"--- /dev/null\n+++ b/{path}\n"
    start = text.index(header) + len(header)
    hunk = re.match(r"@@ -0,0 \+1,(\d+) @@\n", text[start:])
    lines = text[start + hunk.end() :].split("\n")[: int(hunk.group(1))]
    if not all(line.startswith("+") for line in lines):
        raise ValueError(f"malformed new-file hunk for {path} in {PATCH}")
    return "".join(line[1:] + "\n" for line in lines)


def edited_files(text=None):
    """`{path in keras-team/keras: its base blob}` of the files the patch edits."""
    return dict(EDITED_FILE.findall(text or patch_text()))


def wheel_path(repository_path):
    """Where an installed Keras wheel has a file of keras-team/keras.

    The wheel has `keras/src/` at `src/` and moves `keras/api/` up.
    """
    for prefix in ("keras/api/", "keras/"):
        if repository_path.startswith(prefix):
            return repository_path[len(prefix) :]
    raise ValueError(f"{repository_path} is not in the keras package")


def normalized(text, paths=()):
    """`text` without its base commit, nor blob ids and line numbers of `paths`.

    For files whose installed copy is another version than the patch's base:
    their hunks' content still has to match exactly.
    """
    text = BASE_COMMIT.sub("base-commit: <base>", text)
    sections = re.split(r"(?=^diff --git )", text, flags=re.MULTILINE)
    for i, section in enumerate(sections):
        match = re.match(r"diff --git a/(\S+) ", section)
        if match and match.group(1) in paths:
            section = re.sub(r"^index \S+", "index <other base>", section, 1, re.M)
            sections[i] = re.sub(r"^@@ [^@]* @@", "@@ <lines> @@", section, 0, re.M)
    return "".join(sections)


def patched_file(repository_path, keras_dir=None):
    """A file the patch edits, as the patch leaves the installed Keras' copy."""
    keras_dir = pathlib.Path(keras_dir or installed_keras_dir())
    with tempfile.TemporaryDirectory() as directory:
        target = pathlib.Path(directory, repository_path)
        target.parent.mkdir(parents=True)
        target.write_bytes((keras_dir / wheel_path(repository_path)).read_bytes())
        git("apply", f"--include={repository_path}", str(PATCH), cwd=directory)
        return target.read_text(encoding="utf-8")


def checkout(keras, directory):
    git("clone", "--quiet", str(keras), str(directory))
    git("checkout", "--quiet", base_commit(), cwd=directory)
    git("am", "--quiet", str(PATCH), cwd=directory)


def exported(directory):
    return git(*FORMAT_PATCH, cwd=directory)


def installed_keras_dir():
    """The directory of the installed `keras` package, without importing it."""
    spec = importlib.util.find_spec("keras")
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def regenerated_offline(keras_dir=None, patch=PATCH):
    """The patch as git writes it on top of the installed Keras' files.

    Args:
        keras_dir: An installed `keras` package; defaults to this Python's.
        patch: The patch file to apply and regenerate.

    Returns:
        (patch text, paths): the regenerated patch and the edited files whose
        installed copy is not the patch's base version (another Keras
        version); for these, only the content of the hunks can be compared
        (`normalized`), or (None, reason) if the patch does not apply there.
    """
    keras_dir = pathlib.Path(keras_dir or installed_keras_dir())
    text = pathlib.Path(patch).read_text(encoding="utf-8")
    other_base = []
    with tempfile.TemporaryDirectory() as directory:
        git("init", "--quiet", directory)
        for repository_path, blob in edited_files(text).items():
            target = pathlib.Path(directory, repository_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((keras_dir / wheel_path(repository_path)).read_bytes())
            if git("hash-object", repository_path, cwd=directory).strip() != blob:
                other_base.append(repository_path)
        git("add", ".", cwd=directory)
        git("commit", "--quiet", "-m", "base", cwd=directory)
        try:
            git("am", "--quiet", str(patch), cwd=directory)
        except RuntimeError as error:
            return None, f"the patch does not apply to {keras_dir}: {error}"
        return git(*FORMAT_PATCH, cwd=directory), other_base


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "command", choices=["checkout", "export", "check", "offline-check"]
    )
    parser.add_argument("--dir", help="The Keras clone holding the commit.")
    parser.add_argument(
        "--keras",
        default="https://github.com/keras-team/keras",
        help="Keras repository to clone for `checkout` (URL or path).",
    )
    args = parser.parse_args(argv)
    if args.command == "offline-check":
        regenerated, other_base = regenerated_offline()
        if regenerated is None:
            print(f"cannot check offline: {other_base}")
            return 2
        same = normalized(regenerated, other_base) == normalized(
            patch_text(), other_base
        )
    else:
        if not args.dir:
            parser.error(f"`{args.command}` needs --dir")
        if args.command == "checkout":
            checkout(args.keras, args.dir)
            print(f"{args.dir}: {base_commit()} + the Lookahead commit")
            return 0
        if args.command == "export":
            PATCH.write_text(exported(args.dir), encoding="utf-8")
            print(f"wrote {PATCH}")
            return 0
        same = exported(args.dir) == patch_text()
    print(f"{PATCH.name}: {'up to date' if same else 'STALE'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
