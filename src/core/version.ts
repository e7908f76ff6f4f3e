/** tsrs's identity, as the RTMP connect reply, the API and logs report it. */
export const TSRS_VERSION = '0.1.0';
export const TSRS_SERVER = `TSRS/${TSRS_VERSION}`;
/** The SRS version whose behaviour and API shapes tsrs follows. */
export const SRS_COMPAT_VERSION = '6.0.157';
