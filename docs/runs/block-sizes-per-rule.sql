-- docs/performance.md, "Past 300,000 cases": rows each blocking rule reads per imported row, 1,000 stored cases as the batch.
-- Run against an intake database: psql -X -c "select setseed(0.5)" -f docs/runs/block-sizes-per-rule.sql
-- per rule: rows read per imported row, for 1,000 random cases as the batch (keys as stored, not the query's variants)
with b as (select * from cases order by random() limit 1000)
select
 (select count(*) from b join cases c on c."ServiceNumberKey" = b."ServiceNumberKey" and c."Number" <> b."Number")::numeric/1000 as service,
 (select count(*) from b join cases c on c."LinkageFullKey" = b."LinkageFullKey" and c."Number" <> b."Number" and (c."LinkageBirthYear" is null or b."LinkageBirthYear" is null or abs(c."LinkageBirthYear"-b."LinkageBirthYear")<=1))::numeric/1000 as fullname,
 (select count(*) from b join cases c on c."LinkageFamilyBlock" = b."LinkageFamilyBlock" and c."Number" <> b."Number" and abs(c."LinkageBirthYear"-b."LinkageBirthYear")<=1)::numeric/1000 as family_initial,
 (select count(*) from b join cases c on c."LinkageGivenBlock" = b."LinkageGivenBlock" and c."Number" <> b."Number" and abs(c."LinkageBirthYear"-b."LinkageBirthYear")<=1)::numeric/1000 as given_initial,
 (select count(*) from b join cases c on c."LinkageFamilyKey" = b."LinkageFamilyKey" and left(c."LinkageGivenKey",2) = left(b."LinkageGivenKey",2) and c."Number" <> b."Number" and abs(c."LinkageBirthYear"-b."LinkageBirthYear")<=1)::numeric/1000 as family_two_letters,
 (select count(*) from cases) as cases;
