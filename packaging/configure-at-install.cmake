# SPDX-License-Identifier: Apache-2.0
# Run at install time (install(SCRIPT)): writes the files that name the
# installed hook, so that `cmake --install --prefix` and the Debian package
# (prefix /usr) both get the path the hook really has.
set(RNH_HOOK_PATH "${CMAKE_INSTALL_PREFIX}/${RNH_BINDIR}/rdma-netns-hook")
foreach(stage prestart poststop)
  set(RNH_STAGE ${stage})
  configure_file(${RNH_SOURCE_DIR}/hooks.d/rdma-netns-hook.json.in
                 ${RNH_STAGING}/rdma-netns-hook-${stage}.json @ONLY)
endforeach()
configure_file(${RNH_SOURCE_DIR}/packaging/rdma-netns-exclusive.service.in
               ${RNH_STAGING}/rdma-netns-exclusive.service @ONLY)
configure_file(${RNH_SOURCE_DIR}/packaging/rdma-netns-cdi.service.in
               ${RNH_STAGING}/rdma-netns-cdi.service @ONLY)
