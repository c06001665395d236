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
"""Runs pytest on the test files given as arguments (the main of each py_test).

With `shard_count` on the py_test, Bazel runs it in TEST_TOTAL_SHARDS processes;
shard TEST_SHARD_INDEX runs every TEST_TOTAL_SHARDS-th collected test from its
index on (counting runnable and skipped tests apart). With `--test_filter`, only
the tests it selects run (pytest's -k).
"""

import os
import sys

import pytest


class ShardSelection:
    """Deselects the tests that belong to the other shards."""

    def __init__(self, index, total):
        self.index = index
        self.total = total

    # After the conftest files have marked what they skip: runnable and skipped
    # tests are dealt out separately, so that the shards share the work.
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        skipped = [item for item in items if item.get_closest_marker("skip")]
        skipped_ids = {id(item) for item in skipped}
        runnable = [item for item in items if id(item) not in skipped_ids]
        kept_ids = {
            id(item)
            for group in (runnable, skipped)
            for item in group[self.index :: self.total]
        }
        kept = [item for item in items if id(item) in kept_ids]
        dropped = [item for item in items if id(item) not in kept_ids]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def plugins_from_environment(environment):
    total = int(environment.get("TEST_TOTAL_SHARDS", "1"))
    if total <= 1:
        return []
    # Tells Bazel that this runner shards (it fails sharded tests that do not).
    status_file = environment.get("TEST_SHARD_STATUS_FILE")
    if status_file:
        open(status_file, "a").close()
    return [ShardSelection(int(environment["TEST_SHARD_INDEX"]), total)]


def main(argv):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    plugins = plugins_from_environment(os.environ)
    # `bazel test --test_filter=EXPRESSION` selects tests as pytest's -k does.
    test_filter = os.environ.get("TESTBRIDGE_TEST_ONLY")
    selection = ["-k", test_filter] if test_filter else []
    return pytest.main(
        ["-p", "no:cacheprovider", "-q", *selection, *argv], plugins=plugins
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
