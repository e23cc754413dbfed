// Run once by the mongo image on an empty data volume: the services' user, read-write on their database
// only (the root user stays the admin's).
db.getSiblingDB('taskyard').createUser({
  user: 'taskyard',
  pwd: process.env.MONGO_APP_PASSWORD,
  roles: [{ role: 'readWrite', db: 'taskyard' }],
});
