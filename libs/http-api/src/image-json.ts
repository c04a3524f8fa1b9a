// The API's hot reads (the listing, the random sample) serialise their images from kept JSON:
// each frozen image object the catalog hands out (the same object while its row and its link
// are unchanged) is turned into its JSON once (an unfrozen one was made for one read: its JSON
// is not kept), with `closestKind`, and a page is those
// fragments joined. Serialising ~75 KB of JSON per listing page, and Express's ETag (a SHA-1
// over the whole body), were most of a page's CPU. The listing's ETag is a hash of the
// fragments' own hashes and the rest of the body instead: as exact, far less to hash.
import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { createHash } from 'node:crypto';
import { withClosestKind, type Labelled } from './label-view';

interface Fragment {
  json: string;
  /** SHA-1 of `json`, made when an ETag first needs it. */
  hash?: string;
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('base64url');

@Injectable()
export class ImageJson {
  private readonly fragments = new WeakMap<object, Fragment>();

  /** The JSON of `withClosestKind(image)`, kept by the object only when it is frozen (one the catalog hands out again). */
  fragment(image: Labelled & object): Fragment {
    let fragment = this.fragments.get(image);
    if (!fragment) {
      fragment = { json: JSON.stringify(withClosestKind(image)) };
      if (Object.isFrozen(image)) this.fragments.set(image, fragment);
    }
    return fragment;
  }

  /**
   * Sends a JSON object whose `items` are `images` (serialised as `fragment` does) and whose
   * other members are `head` (before the items) and `tail` (after them), in that order. With
   * `etag`, a weak ETag over all of it (conditional requests answered 304, as Express does);
   * without, none (a random sample: no two answers are meant to match).
   */
  send(res: Response, head: Record<string, unknown>, images: readonly (Labelled & object)[], tail: Record<string, unknown>, options: { etag: boolean }): void {
    const fragments = images.map((image) => this.fragment(image));
    const open = JSON.stringify(head).slice(0, -1);
    const close = JSON.stringify(tail).slice(1);
    const body = `${open}${open.length > 1 ? ',' : ''}"items":[${fragments.map((f) => f.json).join(',')}]${close.length > 1 ? ',' : ''}${close}`;
    res.status(200);
    if (options.etag) {
      res.type('application/json');
      res.setHeader('ETag', `W/"${sha1(`${open}\u0000${close}\u0000${fragments.map((f) => (f.hash ??= sha1(f.json))).join(',')}`)}"`);
      res.send(body);
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }
}
