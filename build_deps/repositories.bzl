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
"""What a WORKSPACE needs to build and test with tensorflow_lookahead (Bazel 4).

In the WORKSPACE of this repository and of any workspace that depends on it:

    local_repository(name = "tensorflow_lookahead", path = "...")  # or http_archive
    load("@tensorflow_lookahead//build_deps:repositories.bzl",
         "tensorflow_lookahead_dependencies")
    tensorflow_lookahead_dependencies()

Then `@tensorflow_lookahead//tensorflow_lookahead` is a py_library to depend on.
"""

load("@bazel_tools//tools/build_defs/repo:utils.bzl", "maybe")

# The repositories Bazel 4.2.3 downloads during analysis even for pure Python
# projects, and the directories of build_deps/ with their offline stand-ins.
_STAND_INS = {
    "remote_coverage_tools": "remote_coverage_tools",
    "rules_cc": "rules_cc",
    "rules_java": "rules_java",
}

_PYTHON_PROBE = """
import importlib.util, sys
print(sys.version_info >= (3, 9), importlib.util.find_spec("tensorflow") is not None)
"""

def _stand_in_repository_impl(repository_ctx):
    build_deps = repository_ctx.path(Label("//build_deps:repositories.bzl")).dirname
    for child in build_deps.get_child(repository_ctx.attr.directory).readdir():
        repository_ctx.symlink(child, child.basename)

_stand_in_repository = repository_rule(
    implementation = _stand_in_repository_impl,
    attrs = {"directory": attr.string(mandatory = True)},
    doc = "A directory of build_deps/ as a repository (works from any workspace).",
)

def _python_interpreter(repository_ctx):
    """PYTHON_BIN_PATH, else the workspace's .venv/bin/python, else python3."""
    interpreter = repository_ctx.os.environ.get("PYTHON_BIN_PATH", "")
    if interpreter:
        return repository_ctx.path(interpreter)
    workspace = repository_ctx.path(Label("@//:WORKSPACE")).dirname
    venv = workspace.get_child(".venv").get_child("bin").get_child("python")
    if venv.exists:
        return venv
    found = repository_ctx.which("python3")
    if not found:
        fail("tensorflow_lookahead: no Python found: set PYTHON_BIN_PATH " +
             "(e.g. --repo_env=PYTHON_BIN_PATH=/path/to/venv/bin/python)")
    return found

def _python_toolchain_impl(repository_ctx):
    interpreter = _python_interpreter(repository_ctx)
    result = repository_ctx.execute([interpreter, "-c", _PYTHON_PROBE])
    if result.return_code != 0 or result.stdout.strip() != "True True":
        fail(("tensorflow_lookahead: the Python at %s must be 3.9 or newer and " +
              "have TensorFlow installed (probe printed %r, %r); set " +
              "PYTHON_BIN_PATH to one that has.") %
             (interpreter, result.stdout, result.stderr))
    repository_ctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % repository_ctx.name)
    repository_ctx.template(
        "BUILD",
        Label("//build_deps:python_toolchain.BUILD.tpl"),
        substitutions = {"%{interpreter}": str(interpreter)},
    )

_python_toolchain_repository = repository_rule(
    implementation = _python_toolchain_impl,
    environ = ["PYTHON_BIN_PATH"],
    doc = "A Python toolchain for the local interpreter that has TensorFlow.",
)

# A WORKSPACE macro (like rules_go's go_rules_dependencies): it declares
# repositories of fixed names, so a `name` argument would mean nothing.
# buildifier: disable=unnamed-macro
def tensorflow_lookahead_dependencies(register_python_toolchain = True):
    """Declares the repositories tensorflow_lookahead needs, offline.

    Repositories the workspace already declares are left alone.

    Args:
      register_python_toolchain: register a toolchain for the interpreter in
        PYTHON_BIN_PATH (set it with --repo_env), else the workspace's
        .venv/bin/python, else python3 on PATH. Pass False to use the
        workspace's own Python toolchain.
    """
    for name, directory in _STAND_INS.items():
        maybe(_stand_in_repository, name = name, directory = directory)
    if register_python_toolchain:
        maybe(_python_toolchain_repository, name = "tensorflow_lookahead_python")
        native.register_toolchains("@tensorflow_lookahead_python//:toolchain")
