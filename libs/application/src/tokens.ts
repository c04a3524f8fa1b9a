/** Injection tokens of the ports and shared services. */
export const CONFIG = Symbol('VEGVISION_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');
export const READ_MODEL = Symbol('READ_MODEL');
export const CHECKPOINT_STORE = Symbol('CHECKPOINT_STORE');
export const LOGGER = Symbol('LOGGER');
export const KEY_STORE = Symbol('KEY_STORE');
