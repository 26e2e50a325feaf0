import OpenAI from 'openai';
import { EMBEDDING_DIMENSIONS } from '../../domain/duplicates/embed';
import type { Embedder } from '../../domain/duplicates/detector';
import type { ToolRecord } from '../../domain/duplicates/features';

export interface OpenAiEmbedderOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
}

/** An OpenAI-compatible embeddings endpoint, asked for the catalog's 256 dimensions. */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly version: string;
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAiEmbedderOptions) {
    this.id = `openai:${opts.model}`;
    this.version = `d${EMBEDDING_DIMENSIONS}`;
    this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeout: opts.timeoutMs, maxRetries: 0 });
  }

  async embed(tools: ToolRecord[]): Promise<number[][]> {
    if (tools.length === 0) return [];
    const input = tools.map((t) => `${t.name}\n${t.description}`.slice(0, 8000));
    const res = await this.client.embeddings.create({
      model: this.opts.model,
      input,
      dimensions: EMBEDDING_DIMENSIONS,
    });
    return res.data
      .sort((a, b) => a.index - b.index)
      .map((d) => {
        if (d.embedding.length !== EMBEDDING_DIMENSIONS) {
          throw new Error(
            `embedder ${this.id} returned ${d.embedding.length} dimensions, want ${EMBEDDING_DIMENSIONS}`,
          );
        }
        return d.embedding;
      });
  }
}
