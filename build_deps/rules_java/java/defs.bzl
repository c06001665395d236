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
"""Forwards the rules of @rules_java to the native rules (offline stand-in).

Forwarding to the native rules is the point of this stand-in, so the
linter's advice to load them from their own repositories (which Bazel 4.2.3
would have to download) is disabled rule by rule.
"""

def java_binary(**attrs):
    # buildifier: disable=native-java-binary
    native.java_binary(**attrs)

def java_import(**attrs):
    # buildifier: disable=native-java-import
    native.java_import(**attrs)

def java_library(**attrs):
    # buildifier: disable=native-java-library
    native.java_library(**attrs)

def java_plugin(**attrs):
    # buildifier: disable=native-java-plugin
    native.java_plugin(**attrs)

def java_test(**attrs):
    # buildifier: disable=native-java-test
    native.java_test(**attrs)

def java_proto_library(**attrs):
    # buildifier: disable=native-java-proto
    native.java_proto_library(**attrs)

def java_lite_proto_library(**attrs):
    # buildifier: disable=native-java-lite-proto
    native.java_lite_proto_library(**attrs)

def java_runtime(**attrs):
    # buildifier: disable=native-java-runtime
    native.java_runtime(**attrs)

def java_toolchain(**attrs):
    # buildifier: disable=native-java-toolchain
    native.java_toolchain(**attrs)

def java_package_configuration(**attrs):
    # buildifier: disable=native-java-package-config
    native.java_package_configuration(**attrs)
