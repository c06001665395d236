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
regenerates the patch without a Keras clone, on the three files it edits
taken from the installed Keras, and fails if the checked-in patch is not
exactly what `git format-patch` writes for it (a hand-edited or stale
patch).
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
# Files of the Keras repository that the patch edits, and where the same
# files are in an installed Keras wheel (the wheel moves keras/api/ up).
EDITED_FILES = {
    "keras/src/optimizers/__init__.py": "src/optimizers/__init__.py",
    "keras/api/optimizers/__init__.py": "optimizers/__init__.py",
    "keras/api/_tf_keras/keras/optimizers/__init__.py": (
        "_tf_keras/keras/optimizers/__init__.py"
    ),
}
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


def without_base_commit(text):
    return BASE_COMMIT.sub("base-commit: <base>", text)


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
        (patch text, None), or (None, reason) when the installed Keras'
        copies of the edited files differ from the patch's base (another
        Keras version): then only a Keras clone can regenerate the patch.
    """
    keras_dir = pathlib.Path(keras_dir or installed_keras_dir())
    text = pathlib.Path(patch).read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as directory:
        git("init", "--quiet", directory)
        for repository_path, wheel_path in EDITED_FILES.items():
            target = pathlib.Path(directory, repository_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((keras_dir / wheel_path).read_bytes())
            blob = git("hash-object", repository_path, cwd=directory).strip()
            if f"\nindex {blob}.." not in text:
                return None, (
                    f"the installed {keras_dir / wheel_path} is not the "
                    f"patch's base version of {repository_path}"
                )
        git("add", ".", cwd=directory)
        git("commit", "--quiet", "-m", "base", cwd=directory)
        git("am", "--quiet", str(patch), cwd=directory)
        return git(*FORMAT_PATCH, cwd=directory), None


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
        regenerated, reason = regenerated_offline()
        if regenerated is None:
            print(f"cannot check offline: {reason}")
            return 2
        same = without_base_commit(regenerated) == without_base_commit(patch_text())
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
