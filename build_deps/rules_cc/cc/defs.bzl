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
"""Forwards the rules of @rules_cc to the native rules (offline stand-in).

Forwarding to the native rules is the point of this stand-in, so the
linter's advice to load them from their own repositories (which Bazel 4.2.3
would have to download) is disabled rule by rule.
"""

def cc_library(**attrs):
    # buildifier: disable=native-cc-library
    native.cc_library(**attrs)

def cc_binary(**attrs):
    # buildifier: disable=native-cc-binary
    native.cc_binary(**attrs)

def cc_test(**attrs):
    # buildifier: disable=native-cc-test
    native.cc_test(**attrs)

def cc_import(**attrs):
    # buildifier: disable=native-cc-import
    native.cc_import(**attrs)

def cc_proto_library(**attrs):
    # buildifier: disable=native-cc-proto
    native.cc_proto_library(**attrs)

def cc_toolchain(**attrs):
    # buildifier: disable=native-cc-toolchain
    native.cc_toolchain(**attrs)

def cc_toolchain_suite(**attrs):
    # buildifier: disable=native-cc-toolchain-suite
    native.cc_toolchain_suite(**attrs)

def fdo_profile(**attrs):
    # buildifier: disable=native-cc-fdo-profile
    native.fdo_profile(**attrs)

def fdo_prefetch_hints(**attrs):
    # buildifier: disable=native-cc-fdo-prefetch-hints
    native.fdo_prefetch_hints(**attrs)

def objc_library(**attrs):
    # buildifier: disable=native-cc-objc-library
    native.objc_library(**attrs)

def objc_import(**attrs):
    # buildifier: disable=native-cc-objc-import
    native.objc_import(**attrs)
