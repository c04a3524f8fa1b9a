// V8 settings of a process that serves the API.
//
// Allocation-site pretenuring: when most objects made by one object or array literal survive
// a scavenge, V8 allocates that literal's later objects straight in the old generation. The read
// model makes its image views with one literal, whether a view is kept (its cache) or made for
// one request (a random sample over a large catalog, where the cache keeps few): the kept ones
// had the literal pretenured, so every one-off view was born old, and what it points to (young
// strings and arrays) survived the scavenges through it and was promoted in turn. Browse at
// 500 requests/s over 100,000 images, same code and load (`--trace-gc-nvp`): 2.0 MB promoted per
// scavenge, a major GC every few seconds, p99 16–39 ms; without pretenuring 0.65 MB and p99
// 6–7 ms. The objects a server does keep (its caches) reach the old generation after two
// scavenges anyway.
import v8 from 'node:v8';

/** Turns allocation-site pretenuring off for this process (setting it again changes nothing). */
export function tuneHeapForServing(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
