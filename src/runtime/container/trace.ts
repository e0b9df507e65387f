/**
 * Timing marks of a container's start and teardown, for benchmarks and
 * diagnosis (`ContainerDriverOptions.trace`). A mark is emitted when a step
 * has finished; the core never prints them.
 */

/** The steps of start and destroy, in order (`started`: conmon reported the container's pid). */
export type ContainerStep =
  | 'checked' | 'rootfs-checked' | 'network-attached' | 'config-written' | 'started'
  | 'killed' | 'runtime-deleted' | 'network-detached' | 'cgroups-removed' | 'removed';

/** Receives `(container id, step, performance.now())`. */
export type TraceFn = (id: string, step: ContainerStep, at: number) => void;
