// The open-vocabulary mixture of a language model over ids with two string caches (the
// document being edited and recently edited files): p(s) = w_m·p_model(id(s)) +
// w_d·p_doc(s) + w_r·p_recent(s), a nested cache in the spirit of Hellendoorn & Devanbu
// (FSE 2017). The weights depend on how much of the recent context the document cache has
// seen (its bucket), and are fitted on held-out text (cacheFit.ts), not guessed.
import { CacheNgram } from '../ngram/cacheNgram';

/** Per bucket (0: empty document cache, 1 + n: the document has seen the last n tokens as a context), [model, document, recent]. */
export type CacheWeights = readonly (readonly [number, number, number])[];

export class CacheMixture {
  constructor(
    readonly document: CacheNgram,
    readonly recent: CacheNgram,
    readonly weights: CacheWeights,
  ) {
    if (weights.length !== CacheMixture.buckets(document.order)) throw new Error(`Expected ${CacheMixture.buckets(document.order)} weight buckets for a document cache of order ${document.order}, got ${weights.length}`);
  }

  /** Number of weight buckets for a document cache of this order. */
  static buckets(order: number): number {
    return order + 1;
  }

  /** Empty caches of this order with these weights. */
  static create(weights: CacheWeights, order = weights.length - 1): CacheMixture {
    return new CacheMixture(new CacheNgram(order), new CacheNgram(order), weights);
  }

  bucket(history: readonly string[]): number {
    return this.document.matchedOrder(history) + 1;
  }

  weightsAt(history: readonly string[]): readonly [number, number, number] {
    return this.weights[this.bucket(history)];
  }

  /**
   * The mixture's probability of `token` after `history`, given the model's probability of
   * its id (of `<unk>` for a string outside the vocabulary: the usual closed-vocabulary
   * convention, so perplexities compare with the model's own).
   */
  prob(pModel: number, history: readonly string[], token: string): number {
    const [wm, wd, wr] = this.weightsAt(history);
    return wm * pModel + wd * this.document.prob(history, token) + wr * this.recent.prob(history, token);
  }
}
