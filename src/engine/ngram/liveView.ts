// A LiveNgramModel as a LanguageModel whose states survive its updates: each state remembers
// the counts' version it was read against, and one used after an update is re-read (a few
// lookups) instead of missing the contexts the update created. The server's prefix caches
// keep their states (the LSTM's included) across edits this way.
import type { LiveNgramModel } from './liveNgram';
import type { NgramState } from './ngram';
import type { LanguageModel, NextTokenProbs } from '../types';

export interface VersionedNgramState extends NgramState {
  readonly version: number;
}

export class LiveNgramView implements LanguageModel<VersionedNgramState> {
  readonly vocabSize: number;

  constructor(readonly live: LiveNgramModel) {
    this.vocabSize = live.vocabSize;
  }

  initialState(): VersionedNgramState {
    return this.tag(this.live.initialState());
  }

  advance(state: VersionedNgramState, tokenId: number): VersionedNgramState {
    return this.tag(this.live.advance(this.fresh(state), tokenId));
  }

  /**
   * The state holds only the last order − 1 tokens, so advancing through just those gives the
   * same state: a cold read of n tokens costs the n-gram a few lookups, not n (ids still checked).
   */
  advanceMany(state: VersionedNgramState, ids: ArrayLike<number>, start: number, end: number): VersionedNgramState {
    const from = Math.max(start, end - (this.live.order - 1));
    for (let i = start; i < from; i++) {
      if (!(ids[i] >= 0 && ids[i] < this.vocabSize)) throw new Error(`Token id ${ids[i]} is outside the vocabulary (size ${this.vocabSize})`);
    }
    if (start >= end) return state; // as advance would: nothing read, nothing refreshed
    let s = this.fresh(state);
    for (let i = from; i < end; i++) s = this.live.advance(s, ids[i]);
    return this.tag(s);
  }

  logProbs(state: VersionedNgramState): Float32Array {
    return this.live.logProbs(this.fresh(state));
  }

  probs(state: VersionedNgramState): NextTokenProbs {
    return this.live.probs(this.fresh(state));
  }

  logProb(state: VersionedNgramState, tokenId: number): number {
    return this.live.logProb(this.fresh(state), tokenId);
  }

  private fresh(state: VersionedNgramState): NgramState {
    return state.version === this.live.version ? state : this.live.refresh(state);
  }

  private tag(state: NgramState): VersionedNgramState {
    return { history: state.history, nodes: state.nodes, version: this.live.version };
  }
}
