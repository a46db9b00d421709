import { sql, type Kysely } from 'kysely';

/**
 * HTTP Basic credentials of a config source (feeds.config.json `auth`): its user name, the
 * name of the environment variable holding its password, and the origin (scheme://host:port)
 * they belong to. The password itself is never stored: a poll reads the variable. The origin
 * is the configured URL's, kept apart from `url` because a permanent redirect may move the
 * source to another origin, which must not receive them. All three, or none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table sources
      add column auth_username text,
      add column auth_password_env text,
      add column auth_origin text,
      add constraint sources_auth_complete check (
        (auth_username is null) = (auth_password_env is null) and (auth_username is null) = (auth_origin is null))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sources drop column auth_username, drop column auth_password_env, drop column auth_origin`.execute(db);
}
