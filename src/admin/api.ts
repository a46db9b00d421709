/**
 * The admin use-cases bound to one context: the plain functions the HTTP layer (API and
 * page) and the CLI are given. http/ depends on this type only, never on the database.
 */
import { addSource, type AddSourceInput, type AddSourceOutcome } from './add-source.ts';
import type { AdminContext } from './context.ts';
import {
  changeSource,
  getSource,
  listSources,
  refreshSourceNow,
  removeSource,
  type DeletedSourceSummary,
  type RefreshedSource,
  type SourceChanges,
  type SourceDetail,
  type UpdatedSource,
} from './manage-sources.ts';
import { exportOpml, importOpml, type OpmlImportSummary } from './opml.ts';
import type { SourceView } from './source-view.ts';
import { pageResults, type PageResults } from './page-results.ts';
import { adminSessions, type AdminSessions } from './sessions.ts';
import { previewTopic, type TopicPreview, type TopicPreviewInput } from './topic-preview.ts';
import type { TopicFields } from '../store/topics.ts';
import {
  changeTopic,
  checkTopic,
  createTopic,
  listTopics,
  previewTopicRules,
  removeTopic,
  type TopicChangeOutcome,
  type TopicChanges,
  type TopicInput,
  type TopicView,
} from './topics.ts';
import { storyCuration, type StoryCuration } from './story-curation.ts';

export interface AdminApi {
  /** The topics now (they change while serving), for forms and validation messages. */
  readonly topics: ReadonlyArray<{ slug: string; title: string }>;
  listSources(): Promise<SourceView[]>;
  getSource(id: number): Promise<SourceDetail>;
  addSource(input: AddSourceInput): Promise<AddSourceOutcome>;
  changeSource(id: number, changes: SourceChanges): Promise<UpdatedSource>;
  removeSource(id: number): Promise<DeletedSourceSummary>;
  refreshSource(id: number): Promise<RefreshedSource>;
  importOpml(text: string): Promise<OpmlImportSummary>;
  exportOpml(): Promise<string>;
  previewTopic(slug: string, input: TopicPreviewInput): Promise<TopicPreview>;
  // Topics (topics.ts): stored, live in every instance.
  listTopics(): Promise<TopicView[]>;
  createTopic(input: TopicInput): Promise<TopicChangeOutcome>;
  changeTopic(slug: string, changes: TopicChanges): Promise<TopicChangeOutcome>;
  removeTopic(slug: string): Promise<TopicChangeOutcome>;
  /** Checks a topic as createTopic would and previews its rules, changing nothing (the page's Preview). */
  previewTopicRules(input: TopicInput): Promise<{ topic: TopicFields; preview: TopicPreview }>;
  /** The admin page's log-in sessions. */
  sessions: AdminSessions;
  /** What the admin page's form posts leave for the page they redirect to. */
  pageResults: PageResults;
  /** Stories: read, split, merge, hide and unhide items, the curation log. */
  stories: StoryCuration;
}

export function createAdminApi(ctx: AdminContext): AdminApi {
  return {
    get topics() {
      return ctx.topics.current().list.map((t) => ({ slug: t.slug, title: t.title }));
    },
    listSources: () => listSources(ctx),
    getSource: (id) => getSource(ctx, id),
    addSource: (input) => addSource(ctx, input),
    changeSource: (id, changes) => changeSource(ctx, id, changes),
    removeSource: (id) => removeSource(ctx, id),
    refreshSource: (id) => refreshSourceNow(ctx, id),
    importOpml: (text) => importOpml(ctx, text),
    exportOpml: () => exportOpml(ctx),
    previewTopic: (slug, input) => previewTopic(ctx, slug, input),
    listTopics: () => listTopics(ctx),
    createTopic: (input) => createTopic(ctx, input),
    changeTopic: (slug, changes) => changeTopic(ctx, slug, changes),
    removeTopic: (slug) => removeTopic(ctx, slug),
    previewTopicRules: async (input) => {
      const topic = checkTopic(input);
      return { topic, preview: await previewTopicRules(ctx, topic) };
    },
    sessions: adminSessions(ctx),
    pageResults: pageResults(ctx),
    stories: storyCuration(ctx),
  };
}

export type { AddSourceInput, AddSourceOutcome } from './add-source.ts';
export type { SourceChanges, SourceDetail } from './manage-sources.ts';
export type { OpmlImportSummary } from './opml.ts';
export type { PageResults } from './page-results.ts';
export type { AdminSessions } from './sessions.ts';
export type { SourceView } from './source-view.ts';
export type { TopicPreview, TopicPreviewInput } from './topic-preview.ts';
export type { TopicChangeOutcome, TopicChanges, TopicInput, TopicView } from './topics.ts';
export type { CurationOutcome, StoryCuration } from './story-curation.ts';
export type { LoggedCuration } from '../store/curation-log.ts';
export type { JoinReason, StoryDetail, StoryItemView, StorySummary, TopicStories } from './story-view.ts';
export { AdminError } from './errors.ts';
