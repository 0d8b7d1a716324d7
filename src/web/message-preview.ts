/**
 * What a message will look like in the IO app, for the live previews of Invio singolo, Invio
 * massivo and Modelli: the markdown rendered as IO renders it (no raw HTML, safe links only), and
 * counters against IO's limits (FACTS.md; src/domain/limits.ts).
 */
import MarkdownIt from 'markdown-it';
import { MARKDOWN_MAX, MARKDOWN_MIN, SUBJECT_MAX, SUBJECT_MIN } from '../domain/limits.ts';
import { formatEuro } from '../domain/italian-format.ts';

// html: false — text from enti and citizens' data is never markup; markdown-it also refuses javascript: links.
const markdown = new MarkdownIt({ html: false, linkify: false, breaks: false });

export interface Counter {
  length: number;
  min: number;
  max: number;
  ok: boolean;
  /** e.g. "42 caratteri (da 10 a 120)". */
  text: string;
}

export interface MessagePreview {
  subject: string;
  /** Safe HTML from markdown-it. */
  html: string;
  subjectCounter: Counter;
  markdownCounter: Counter;
  dueDate: string | null;
  amount: string | null;
  noticeNumber: string | null;
}

function counter(length: number, min: number, max: number): Counter {
  return { length, min, max, ok: length >= min && length <= max, text: `${length.toLocaleString('it-IT')} caratteri (da ${min} a ${max.toLocaleString('it-IT')})` };
}

export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

export function previewMessage(input: { subject: string; markdown: string; dueDate?: string | null; amountCents?: number | null; noticeNumber?: string | null }): MessagePreview {
  return {
    subject: input.subject,
    html: renderMarkdown(input.markdown),
    subjectCounter: counter(input.subject.length, SUBJECT_MIN, SUBJECT_MAX),
    markdownCounter: counter(input.markdown.length, MARKDOWN_MIN, MARKDOWN_MAX),
    dueDate: input.dueDate ?? null,
    amount: input.amountCents ? formatEuro(input.amountCents) : null,
    noticeNumber: input.noticeNumber ?? null,
  };
}
