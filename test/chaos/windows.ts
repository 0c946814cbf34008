/** The windowed count's window, shared by the application and the driver's reference computation. */
export const WINDOW_SIZE_MS = 10_000;
export const WINDOW_GRACE_MS = 5_000;
