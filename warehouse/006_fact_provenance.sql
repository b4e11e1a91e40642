-- 006: the extractor's own decisions stored with each fact: what a rate is per, whether a
-- money figure may be summed, and where its subject, place and period came from. Facts
-- loaded before this migration get NULL in all five (their extractor did not decide).
-- And each article's own UTC offset at publication, so views can show its time as its page
-- gives it (published_at itself is stored as an instant).

ALTER TABLE facts ADD COLUMN per VARCHAR;
ALTER TABLE facts ADD COLUMN summable BOOLEAN;
ALTER TABLE facts ADD COLUMN subject_from VARCHAR;
ALTER TABLE facts ADD COLUMN place_from VARCHAR;
ALTER TABLE facts ADD COLUMN period_from VARCHAR;

COMMENT ON COLUMN facts.per IS 'For a rate or price, what it is per (kWh, ton, person, m2...), else null.';
COMMENT ON COLUMN facts.summable IS 'The extractor''s decision that the figure may be added into its subject''s total for its period; totals read only this; null for facts loaded before migration 006.';
COMMENT ON COLUMN facts.subject_from IS 'Where subject came from: clause, sentence, previous_sentence or article (models.SCOPES); null when no subject or before migration 006.';
COMMENT ON COLUMN facts.place_from IS 'Where place came from: clause, sentence, previous_sentence or article (models.SCOPES); null when no place or before migration 006.';
COMMENT ON COLUMN facts.period_from IS 'Where the period came from: clause, sentence, previous_sentence or article (models.SCOPES); null when no period or before migration 006.';

ALTER TABLE articles ADD COLUMN published_utc_offset INTEGER;
COMMENT ON COLUMN articles.published_utc_offset IS 'Minutes east of UTC of the time the page gives (480 for Asia/Shanghai); null when unknown or loaded before migration 006 (views then show Asia/Shanghai).';
